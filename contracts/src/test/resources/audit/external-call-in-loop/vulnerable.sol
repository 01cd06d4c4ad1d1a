pragma solidity ^0.6.12;

contract Refunder {
    address payable[] private backers;
    mapping(address => uint256) private pledged;
    address public organiser;

    constructor() public {
        organiser = msg.sender;
    }

    function pledge() external payable {
        if (pledged[msg.sender] == 0) {
            backers.push(msg.sender);
        }
        pledged[msg.sender] += msg.value;
    }

    function refundAll() external {
        require(msg.sender == organiser, "organiser only");
        for (uint256 i = 0; i < backers.length; i++) {
            backers[i].transfer(pledged[backers[i]]);
        }
    }
}
